/**
 * The Three.js scene of the set, shared by the set view and the camera view.
 * Layer WORLD holds what a camera would film (ground, props, people); layer
 * HELPERS holds what only the operator sees (grid, geofence, keep-out rings,
 * labels, predicted paths, the drone with its frustum and focus planes, the
 * MPC plan, the preview path). All positions go through nedToThree.
 */
import * as THREE from 'three';
import { cameraRotation, eulerZyxToMatrix, type Mat3 } from '../../../core/frames.ts';
import { vec3 } from '../../../core/vec3.ts';
import type { NedTuple, SceneInfo, StateMessage, SubjectState, VehicleState } from '../../protocol/state.ts';
import { nedToThree } from './ned.ts';

export const WORLD_LAYER = 0;
export const HELPER_LAYER = 1;

const PLAN_MAX_POINTS = 200;
const PREDICTION_MAX_POINTS = 120;
const TRAIL_MAX_POINTS = 600;
const PREVIEW_MAX_POINTS = 4000;
/** how far the frustum and the far focus plane are drawn when the far limit is infinite, m */
const FRUSTUM_DISPLAY_M = 25;

const COLOURS = { plan: 0x4fc3f7, prediction: 0xffd54f, preview: 0xe040fb, focus: 0x81c784, near: 0x4db6ac, far: 0x9575cd, geofence: 0xef5350, keepOut: 0xff7043, trail: 0x90a4ae, drone: 0xeceff1 };

function helper<T extends THREE.Object3D>(o: T): T {
  o.traverse((c) => c.layers.set(HELPER_LAYER));
  return o;
}

function dynamicLine(maxPoints: number, colour: number, opacity = 1): THREE.Line {
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(maxPoints * 3), 3).setUsage(THREE.DynamicDrawUsage));
  g.setDrawRange(0, 0);
  const line = new THREE.Line(g, new THREE.LineBasicMaterial({ color: colour, transparent: opacity < 1, opacity }));
  line.frustumCulled = false;
  return helper(line);
}

const tmp = new THREE.Vector3();
function setLine(line: THREE.Line, points: ArrayLike<NedTuple | readonly [number, number, number]>, lift = 0): void {
  const attr = line.geometry.getAttribute('position') as THREE.BufferAttribute;
  const n = Math.min(points.length, attr.count);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    nedToThree(p[0], p[1], p[2] - lift, tmp);
    attr.setXYZ(i, tmp.x, tmp.y, tmp.z);
  }
  attr.needsUpdate = true;
  line.geometry.setDrawRange(0, n);
}

function labelSprite(text: string, colour: string): THREE.Sprite {
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 64;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'rgba(10, 13, 18, 0.75)';
  ctx.beginPath();
  ctx.roundRect(4, 8, 248, 48, 10);
  ctx.fill();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 3;
  ctx.stroke();
  ctx.fillStyle = '#ffffff';
  ctx.font = 'bold 30px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 128, 33);
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: new THREE.CanvasTexture(canvas), depthTest: false, transparent: true }));
  sprite.scale.set(3.2, 0.8, 1);
  sprite.renderOrder = 10;
  return helper(sprite);
}

/** Ground texture with a faint 1 m grid so motion reads in the camera view. */
function groundTexture(): THREE.CanvasTexture {
  const c = document.createElement('canvas');
  c.width = c.height = 256;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#4a5a3c';
  ctx.fillRect(0, 0, 256, 256);
  for (let i = 0; i < 1500; i++) {
    ctx.fillStyle = Math.random() < 0.5 ? 'rgba(0,0,0,0.06)' : 'rgba(255,255,255,0.05)';
    ctx.fillRect(Math.random() * 256, Math.random() * 256, 3, 3);
  }
  ctx.strokeStyle = 'rgba(255,255,255,0.12)';
  ctx.lineWidth = 2;
  ctx.strokeRect(0, 0, 256, 256);
  const t = new THREE.CanvasTexture(c);
  t.wrapS = t.wrapT = THREE.RepeatWrapping;
  t.repeat.set(200, 200);
  t.anisotropy = 4;
  t.colorSpace = THREE.SRGBColorSpace;
  return t;
}

interface SubjectNode {
  root: THREE.Group;
  label: THREE.Sprite;
  labelText: string;
  prediction: THREE.Line;
  ring: THREE.Mesh;
  seen: boolean;
}

interface VehicleNode {
  drone: THREE.Group;
  frustum: THREE.LineSegments;
  nearPlane: THREE.Mesh;
  focusPlane: THREE.Mesh;
  farPlane: THREE.Mesh;
  plan: THREE.Line;
  trail: THREE.Line;
  label: THREE.Sprite;
}

export class WorldScene {
  readonly scene = new THREE.Scene();
  private readonly subjects = new Map<number, SubjectNode>();
  private readonly vehicles = new Map<string, VehicleNode>();
  private readonly previewLine = dynamicLine(PREVIEW_MAX_POINTS, COLOURS.preview);
  private readonly R: Mat3 = new Float64Array(9);
  private keepOutRadiusM = 3;
  private sceneBuilt = false;

  constructor() {
    this.scene.add(new THREE.HemisphereLight(0xdfeaff, 0x3a3f2a, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.4);
    sun.position.set(30, 60, 20);
    this.scene.add(sun);
    const ground = new THREE.Mesh(new THREE.PlaneGeometry(400, 400), new THREE.MeshLambertMaterial({ map: groundTexture() }));
    ground.rotation.x = -Math.PI / 2;
    this.scene.add(ground);
    const grid = new THREE.GridHelper(200, 40, 0x5c6b7a, 0x303a46);
    grid.position.y = 0.01;
    (grid.material as THREE.Material).transparent = true;
    (grid.material as THREE.Material).opacity = 0.6;
    this.scene.add(helper(grid));
    this.scene.add(this.previewLine);
    this.scene.add(this.northArrow());
  }

  private northArrow(): THREE.Group {
    const g = new THREE.Group();
    const arrow = new THREE.ArrowHelper(nedToThree(1, 0, 0).normalize(), nedToThree(0, 0, -0.05), 4, 0xffffff, 0.8, 0.5);
    g.add(arrow);
    const n = labelSprite('N', '#ffffff');
    n.scale.set(2.4, 0.6, 1);
    nedToThree(5, 0, -0.3, n.position);
    g.add(n);
    return helper(g);
  }

  /** Static content from the hello: geofence, props, keep-out radius. */
  setScene(info: SceneInfo): void {
    if (this.sceneBuilt) return;
    this.sceneBuilt = true;
    this.keepOutRadiusM = info.keepOutRadiusM;
    for (const p of info.props) {
      const [a, b, h] = p.sizeM;
      const geometry = p.shape === 'box' ? new THREE.BoxGeometry(b, h, a) : new THREE.CylinderGeometry(a, a, h, 24);
      const mesh = new THREE.Mesh(geometry, new THREE.MeshLambertMaterial({ color: p.colour }));
      nedToThree(p.positionNedM[0], p.positionNedM[1], p.positionNedM[2] - h / 2, mesh.position);
      mesh.rotation.y = -p.yawRad;
      this.scene.add(mesh);
    }
    if (info.geofence) {
      const { polygonNeM, minAltitudeM, maxAltitudeM } = info.geofence;
      const pts: THREE.Vector3[] = [];
      const ring = (alt: number) => polygonNeM.map(([n, e]) => nedToThree(n, e, -alt));
      const lo = ring(minAltitudeM), hi = ring(maxAltitudeM);
      for (let i = 0; i < lo.length; i++) {
        const j = (i + 1) % lo.length;
        pts.push(lo[i]!, lo[j]!, hi[i]!, hi[j]!, lo[i]!, hi[i]!);
      }
      const fence = new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(pts), new THREE.LineBasicMaterial({ color: COLOURS.geofence, transparent: true, opacity: 0.55 }));
      this.scene.add(helper(fence));
    }
  }

  private subjectNode(s: SubjectState): SubjectNode {
    let node = this.subjects.get(s.id);
    if (node) return node;
    const root = new THREE.Group();
    const mat = new THREE.MeshLambertMaterial({ color: s.colour });
    const skin = new THREE.MeshLambertMaterial({ color: 0xe0b899 });
    const h = s.heightM;
    // a simple articulated figure: legs, hips, torso, shoulders, arms, neck, head (heights as fractions of h)
    const trousers = new THREE.MeshLambertMaterial({ color: 0x37474f });
    const part = (geometry: THREE.BufferGeometry, material: THREE.Material, x: number, y: number, z = 0) => {
      const m = new THREE.Mesh(geometry, material);
      m.position.set(x, y, z);
      root.add(m);
      return m;
    };
    for (const side of [-1, 1]) {
      part(new THREE.CylinderGeometry(0.075, 0.06, h * 0.47, 10), trousers, side * 0.1, h * 0.235);
      part(new THREE.CylinderGeometry(0.05, 0.045, h * 0.34, 8), mat, side * 0.25, h * 0.63).rotation.z = side * 0.08;
      part(new THREE.SphereGeometry(0.045, 8, 6), skin, side * 0.265, h * 0.45);
    }
    part(new THREE.CylinderGeometry(0.17, 0.15, h * 0.08, 14), trousers, 0, h * 0.5);
    part(new THREE.CylinderGeometry(0.22, 0.16, h * 0.29, 14), mat, 0, h * 0.675);
    part(new THREE.SphereGeometry(0.22, 14, 8, 0, Math.PI * 2, 0, Math.PI / 2), mat, 0, h * 0.8).scale.set(1, 0.35, 0.75);
    part(new THREE.CylinderGeometry(0.05, 0.055, h * 0.05, 8), skin, 0, h * 0.845);
    part(new THREE.SphereGeometry(h * 0.068, 16, 12), skin, 0, h * 0.93).scale.set(0.85, 1.05, 0.95);
    part(new THREE.BoxGeometry(0.04, 0.05, 0.06), skin, 0, h * 0.925, -h * 0.068);
    this.scene.add(root);
    const label = labelSprite(s.name ?? `#${s.id}`, s.colour);
    this.scene.add(label);
    const prediction = dynamicLine(PREDICTION_MAX_POINTS, COLOURS.prediction);
    this.scene.add(prediction);
    const r = this.keepOutRadiusM;
    const ring = new THREE.Mesh(new THREE.RingGeometry(r - 0.06, r, 64), new THREE.MeshBasicMaterial({ color: COLOURS.keepOut, transparent: true, opacity: 0.7, side: THREE.DoubleSide }));
    ring.rotation.x = -Math.PI / 2;
    this.scene.add(helper(ring));
    node = { root, label, labelText: s.name ?? '', prediction, ring, seen: true };
    this.subjects.set(s.id, node);
    return node;
  }

  private vehicleNode(v: VehicleState): VehicleNode {
    let node = this.vehicles.get(v.id);
    if (node) return node;
    // The drone is modelled in its body frame FRD (x forward, y right, z down);
    // its matrix maps FRD → Three through nedToThree of the body axes.
    const drone = new THREE.Group();
    drone.matrixAutoUpdate = false;
    const bodyMat = new THREE.MeshLambertMaterial({ color: COLOURS.drone });
    const armMat = new THREE.MeshLambertMaterial({ color: 0x263238 });
    drone.add(new THREE.Mesh(new THREE.BoxGeometry(0.36, 0.2, 0.12), bodyMat));
    for (const [x, y] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) {
      const arm = new THREE.Mesh(new THREE.BoxGeometry(0.5, 0.04, 0.03), armMat);
      arm.position.set(x * 0.16, y * 0.16, 0);
      arm.rotation.z = Math.atan2(y, x);
      const rotor = new THREE.Mesh(new THREE.CylinderGeometry(0.16, 0.16, 0.01, 20), new THREE.MeshBasicMaterial({ color: x > 0 ? 0x4fc3f7 : 0xff8a65, transparent: true, opacity: 0.55 }));
      rotor.rotation.x = Math.PI / 2; // cylinder axis along FRD z (down)
      rotor.position.set(x * 0.3, y * 0.3, -0.06);
      drone.add(arm, rotor);
    }
    const cam = new THREE.Mesh(new THREE.BoxGeometry(0.12, 0.1, 0.1), armMat);
    cam.position.set(0.12, 0, 0.12);
    drone.add(cam);
    drone.scale.setScalar(1.6);
    this.scene.add(helper(drone));

    const frustum = new THREE.LineSegments(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.5 }));
    frustum.geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(16 * 3), 3).setUsage(THREE.DynamicDrawUsage));
    frustum.frustumCulled = false;
    const plane = (colour: number, opacity: number) => {
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(4 * 3), 3).setUsage(THREE.DynamicDrawUsage));
      g.setIndex([0, 1, 2, 0, 2, 3]);
      const m = new THREE.Mesh(g, new THREE.MeshBasicMaterial({ color: colour, transparent: true, opacity, side: THREE.DoubleSide, depthWrite: false }));
      m.frustumCulled = false;
      return helper(m);
    };
    node = {
      drone,
      frustum: helper(frustum),
      nearPlane: plane(COLOURS.near, 0.18),
      focusPlane: plane(COLOURS.focus, 0.28),
      farPlane: plane(COLOURS.far, 0.18),
      plan: dynamicLine(PLAN_MAX_POINTS, COLOURS.plan),
      trail: dynamicLine(TRAIL_MAX_POINTS, COLOURS.trail, 0.6),
      label: labelSprite(v.label, '#4fc3f7'),
    };
    this.scene.add(node.frustum, node.nearPlane, node.focusPlane, node.farPlane, node.plan, node.trail, node.label);
    this.vehicles.set(v.id, node);
    return node;
  }

  update(state: StateMessage, trails: Map<string, { trail: Array<[number, number, number]> }>): void {
    for (const n of this.subjects.values()) n.seen = false;
    for (const s of state.subjects) {
      const node = this.subjectNode(s);
      node.seen = true;
      const [n, e, d] = s.positionNedM;
      nedToThree(n, e, d, node.root.position);
      // heading: radians from north, clockwise seen from above; the model faces −Z (north) at 0
      node.root.rotation.y = -s.headingRad;
      nedToThree(n, e, d - s.heightM - 0.5, node.label.position);
      nedToThree(n, e, d - 0.02, node.ring.position);
      if ((s.name ?? '') !== node.labelText) {
        this.scene.remove(node.label);
        node.label = labelSprite(s.name ?? `#${s.id}`, s.colour);
        node.labelText = s.name ?? '';
        this.scene.add(node.label);
      }
      setLine(node.prediction, s.predictedNedM, 0.05);
    }
    for (const [id, n] of this.subjects) {
      if (n.seen) continue;
      this.scene.remove(n.root, n.label, n.prediction, n.ring);
      this.subjects.delete(id);
    }
    for (const v of state.vehicles) this.updateVehicle(v, trails.get(v.id)?.trail ?? []);
  }

  private readonly basis = [new THREE.Vector3(), new THREE.Vector3(), new THREE.Vector3()] as const;

  private updateVehicle(v: VehicleState, trail: Array<[number, number, number]>): void {
    const node = this.vehicleNode(v);
    const [n, e, d] = v.positionNedM;
    eulerZyxToMatrix(v.yawRad, v.pitchRad, v.rollRad, this.R);
    this.setFrdMatrix(node.drone.matrix, this.R, n, e, d, 1.6);
    nedToThree(n, e, d - 0.9, node.label.position);

    // frustum and focus planes in the camera's FRD frame
    const pose = { positionNedM: vec3(...v.cameraNedM), yawRad: v.yawRad + v.gimbal.yawRad, pitchRad: v.gimbal.pitchRad, rollRad: v.gimbal.rollRad };
    cameraRotation(pose, this.R);
    const tanH = v.camera.sensorWidthMm / (2 * v.lens.focalLengthMm);
    const tanV = v.camera.sensorHeightMm / (2 * v.lens.focalLengthMm);
    const farM = Math.min(v.lens.farLimitM ?? FRUSTUM_DISPLAY_M, FRUSTUM_DISPLAY_M * 4);
    const frustumM = Math.max(FRUSTUM_DISPLAY_M, Math.min(farM, FRUSTUM_DISPLAY_M * 2));
    const corner = (dist: number, sx: number, sy: number, target: THREE.Vector3) => {
      const f = dist, r = sx * dist * tanH, dn = sy * dist * tanV;
      const R = this.R;
      nedToThree(
        pose.positionNedM.x + R[0]! * f + R[1]! * r + R[2]! * dn,
        pose.positionNedM.y + R[3]! * f + R[4]! * r + R[5]! * dn,
        pose.positionNedM.z + R[6]! * f + R[7]! * r + R[8]! * dn,
        target,
      );
      return target;
    };
    const apex = nedToThree(...v.cameraNedM);
    const fr = node.frustum.geometry.getAttribute('position') as THREE.BufferAttribute;
    const c = [corner(frustumM, -1, -1, new THREE.Vector3()), corner(frustumM, 1, -1, new THREE.Vector3()), corner(frustumM, 1, 1, new THREE.Vector3()), corner(frustumM, -1, 1, new THREE.Vector3())];
    let k = 0;
    for (let i = 0; i < 4; i++) {
      fr.setXYZ(k++, apex.x, apex.y, apex.z);
      fr.setXYZ(k++, c[i]!.x, c[i]!.y, c[i]!.z);
      fr.setXYZ(k++, c[i]!.x, c[i]!.y, c[i]!.z);
      fr.setXYZ(k++, c[(i + 1) % 4]!.x, c[(i + 1) % 4]!.y, c[(i + 1) % 4]!.z);
    }
    fr.needsUpdate = true;
    const setPlane = (mesh: THREE.Mesh, dist: number | null) => {
      mesh.visible = dist !== null && Number.isFinite(dist) && dist > 0 && dist < FRUSTUM_DISPLAY_M * 4;
      if (!mesh.visible) return;
      const a = mesh.geometry.getAttribute('position') as THREE.BufferAttribute;
      const q = [corner(dist!, -1, -1, tmp).clone(), corner(dist!, 1, -1, tmp).clone(), corner(dist!, 1, 1, tmp).clone(), corner(dist!, -1, 1, tmp).clone()];
      q.forEach((p, i) => a.setXYZ(i, p.x, p.y, p.z));
      a.needsUpdate = true;
    };
    setPlane(node.nearPlane, v.lens.nearLimitM);
    setPlane(node.focusPlane, v.lens.focusDistanceM);
    setPlane(node.farPlane, v.lens.farLimitM);

    if (v.plan) setLine(node.plan, v.plan.positionsNedM);
    else node.plan.geometry.setDrawRange(0, 0);
    setLine(node.trail, trail);
  }

  /** matrix = translate(nedToThree(p)) · [nedToThree(R·e_x) nedToThree(R·e_y) nedToThree(R·e_z)] · scale */
  private setFrdMatrix(m: THREE.Matrix4, R: Mat3, n: number, e: number, d: number, scale: number): void {
    const [bx, by, bz] = this.basis;
    nedToThree(R[0]!, R[3]!, R[6]!, bx).multiplyScalar(scale);
    nedToThree(R[1]!, R[4]!, R[7]!, by).multiplyScalar(scale);
    nedToThree(R[2]!, R[5]!, R[8]!, bz).multiplyScalar(scale);
    m.makeBasis(bx, by, bz);
    nedToThree(n, e, d, tmp);
    m.setPosition(tmp);
  }

  setPreview(path: NedTuple[] | null): void {
    if (path) setLine(this.previewLine, path, 0);
    else this.previewLine.geometry.setDrawRange(0, 0);
  }
}
