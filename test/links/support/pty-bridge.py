"""Serial test fixture: a pseudo-terminal whose other end is a TCP connection.

Prints the pty's device path, then copies bytes both ways until either side
closes. Lets the MAVLink link's serial transport talk to the TCP SITL endpoint
without hardware.  usage: pty-bridge.py HOST PORT
"""
import os
import pty
import select
import socket
import sys
import tty

host, port = sys.argv[1], int(sys.argv[2])
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
conn = socket.create_connection((host, port))
while True:
    ready, _, _ = select.select([master, conn], [], [])
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        conn.sendall(data)
    if conn in ready:
        data = conn.recv(4096)
        if not data:
            break
        os.write(master, data)
