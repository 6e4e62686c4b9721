/**
 * The MAVLink numbers this project speaks, named once (values from the
 * common.xml message set as node-mavlink's mavlink-mappings carries them).
 */
import { common, minimal } from 'node-mavlink';

export const MAV_CMD = {
  NAV_TAKEOFF: common.MavCmd.NAV_TAKEOFF,
  NAV_LAND: common.MavCmd.NAV_LAND,
  NAV_RETURN_TO_LAUNCH: common.MavCmd.NAV_RETURN_TO_LAUNCH,
  DO_SET_MODE: common.MavCmd.DO_SET_MODE,
  DO_DIGICAM_CONFIGURE: common.MavCmd.DO_DIGICAM_CONFIGURE,
  COMPONENT_ARM_DISARM: common.MavCmd.COMPONENT_ARM_DISARM,
  SET_MESSAGE_INTERVAL: common.MavCmd.SET_MESSAGE_INTERVAL,
  SET_CAMERA_ZOOM: common.MavCmd.SET_CAMERA_ZOOM,
  SET_CAMERA_FOCUS: common.MavCmd.SET_CAMERA_FOCUS,
  DO_GIMBAL_MANAGER_CONFIGURE: common.MavCmd.DO_GIMBAL_MANAGER_CONFIGURE,
  DO_GIMBAL_MANAGER_PITCHYAW: common.MavCmd.DO_GIMBAL_MANAGER_PITCHYAW,
} as const;

export const MAV_RESULT = {
  ACCEPTED: common.MavResult.ACCEPTED,
  TEMPORARILY_REJECTED: common.MavResult.TEMPORARILY_REJECTED,
  DENIED: common.MavResult.DENIED,
  UNSUPPORTED: common.MavResult.UNSUPPORTED,
  FAILED: common.MavResult.FAILED,
  IN_PROGRESS: common.MavResult.IN_PROGRESS,
  CANCELLED: common.MavResult.CANCELLED,
} as const;

/** 'DENIED', 'UNSUPPORTED', … for error codes; 'RESULT_<n>' for values we do not know. */
export function mavResultName(result: number): string {
  return (common.MavResult as unknown as Record<number, string>)[result] ?? `RESULT_${result}`;
}

export const MSG = {
  HEARTBEAT: minimal.Heartbeat.MSG_ID,
  SYS_STATUS: common.SysStatus.MSG_ID,
  ATTITUDE: common.Attitude.MSG_ID,
  LOCAL_POSITION_NED: common.LocalPositionNed.MSG_ID,
  GLOBAL_POSITION_INT: common.GlobalPositionInt.MSG_ID,
  EXTENDED_SYS_STATE: common.ExtendedSysState.MSG_ID,
  CAMERA_SETTINGS: common.CameraSettings.MSG_ID,
  GIMBAL_DEVICE_ATTITUDE_STATUS: common.GimbalDeviceAttitudeStatus.MSG_ID,
  GIMBAL_MANAGER_STATUS: common.GimbalManagerStatus.MSG_ID,
  PARAM_EXT_VALUE: common.ParamExtValue.MSG_ID,
} as const;

export const TYPE_MASK = common.PositionTargetTypemask;
export const GIMBAL_FLAGS = common.GimbalManagerFlags;

export const MAV_TYPE_QUADROTOR = minimal.MavType.QUADROTOR;
export const MAV_TYPE_GCS = minimal.MavType.GCS;
export const MAV_TYPE_ONBOARD_CONTROLLER = minimal.MavType.ONBOARD_CONTROLLER;
export const MAV_TYPE_CAMERA = minimal.MavType.CAMERA;
export const MAV_TYPE_GIMBAL = minimal.MavType.GIMBAL;
export const MAV_COMP_ID_AUTOPILOT1 = minimal.MavComponent.AUTOPILOT1;
export const MAV_COMP_ID_CAMERA = minimal.MavComponent.CAMERA;
export const MAV_COMP_ID_GIMBAL = minimal.MavComponent.GIMBAL;
export const MAV_FRAME_LOCAL_NED = common.MavFrame.LOCAL_NED;
export const MAV_LANDED_STATE_ON_GROUND = common.MavLandedState.ON_GROUND;
export const MAV_LANDED_STATE_IN_AIR = common.MavLandedState.IN_AIR;
export const MAV_LANDED_STATE_TAKEOFF = common.MavLandedState.TAKEOFF;
export const MAV_LANDED_STATE_LANDING = common.MavLandedState.LANDING;
export const ZOOM_TYPE_FOCAL_LENGTH = common.CameraZoomType.FOCAL_LENGTH;
export const FOCUS_TYPE_METERS = common.SetFocusType.METERS;
export const ZOOM_TYPE_RANGE = common.CameraZoomType.RANGE;
export const FOCUS_TYPE_RANGE = common.SetFocusType.RANGE;
export const MAV_PARAM_EXT_TYPE_REAL32 = common.MavParamExtType.REAL32;
export const PARAM_ACK_ACCEPTED = common.ParamAck.ACCEPTED;
export const PARAM_ACK_VALUE_UNSUPPORTED = common.ParamAck.VALUE_UNSUPPORTED;

/** Camera-definition parameter name for the iris (f-number as REAL32). */
export const APERTURE_PARAM_ID = 'CAM_APERTURE';
