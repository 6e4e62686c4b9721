/**
 * The virtual camera view: the set rendered from the drone's camera pose
 * with the lens's field of view, then a depth-of-field pass driven by the
 * thin-lens circle of confusion (mpc/optics.ts's model, per pixel), then a
 * 2D overlay with the thirds grid, the shot's image targets and where the
 * subjects actually are.
 */
import * as THREE from 'three';
import { FullScreenQuad } from 'three/addons/postprocessing/Pass.js';
import { cameraRotation, mat3 } from '../../../core/frames.ts';
import { vec3 } from '../../../core/vec3.ts';
import type { VehicleState } from '../../protocol/state.ts';
import { nedToThree } from './ned.ts';
import { WORLD_LAYER, type WorldScene } from './world-scene.ts';

const SKY = new THREE.Color(0x9fb8cf);
/** Blur radius cap, px: beyond this the gather kernel gets too sparse to look like blur. */
const MAX_BLUR_PX = 14;

/**
 * Circle of confusion diameter on the sensor for an object at distance d when
 * focused at s: c = f²/(N(s − f)) · |d − s| / d (f, s, d in the same unit).
 * Converted to pixels through the sensor width; half of it is the blur radius.
 */
const DOF_SHADER = {
  uniforms: {
    tColor: { value: null as THREE.Texture | null },
    tDepth: { value: null as THREE.Texture | null },
    cameraNear: { value: 0.1 },
    cameraFar: { value: 500 },
    focalLengthM: { value: 0.035 },
    focusDistanceM: { value: 10 },
    fNumber: { value: 4 },
    sensorWidthM: { value: 0.036 },
    resolution: { value: new THREE.Vector2(1, 1) },
    maxBlurPx: { value: MAX_BLUR_PX },
  },
  vertexShader: /* glsl */ `
    varying vec2 vUv;
    void main() { vUv = uv; gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0); }`,
  fragmentShader: /* glsl */ `
    #include <packing>
    uniform sampler2D tColor; uniform sampler2D tDepth;
    uniform float cameraNear, cameraFar, focalLengthM, focusDistanceM, fNumber, sensorWidthM, maxBlurPx;
    uniform vec2 resolution;
    varying vec2 vUv;
    float distanceAt(vec2 uv) {
      float z = texture2D(tDepth, uv).x;
      return -perspectiveDepthToViewZ(z, cameraNear, cameraFar);
    }
    float blurRadiusPx(float d) {
      float f = focalLengthM, s = max(focusDistanceM, f * 1.01);
      float cocM = (f * f) / (fNumber * (s - f)) * abs(d - s) / max(d, 1e-3);
      return min(0.5 * cocM / sensorWidthM * resolution.x, maxBlurPx);
    }
    void main() {
      float r = blurRadiusPx(distanceAt(vUv));
      vec4 sum = texture2D(tColor, vUv);
      float wsum = 1.0;
      if (r > 0.5) {
        // golden-angle spiral gather; samples nearer than the centre blur over it (no sharp halos)
        for (int i = 1; i < 20; i++) {
          float fi = float(i);
          float rad = r * sqrt(fi / 20.0);
          float a = fi * 2.39996323;
          vec2 uv = vUv + vec2(cos(a), sin(a)) * rad / resolution;
          float rs = blurRadiusPx(distanceAt(uv));
          float w = smoothstep(rad - 1.0, rad + 1.0, max(rs, r * 0.5));
          sum += texture2D(tColor, uv) * w;
          wsum += w;
        }
      }
      gl_FragColor = sum / wsum;
    }`,
};

export class CameraView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera = new THREE.PerspectiveCamera(40, 1.5, 0.2, 600);
  private readonly target: THREE.WebGLRenderTarget;
  private readonly quad: FullScreenQuad;
  private readonly material: THREE.ShaderMaterial;
  private aspect = 1.5;
  private widthPx = 1;
  private heightPx = 1;
  private readonly overlay: HTMLCanvasElement;
  private readonly basis = [new THREE.Vector3(), new THREE.Vector3(), new THREE.Vector3()] as const;
  private readonly m = new THREE.Matrix4();
  private readonly R = mat3();
  private readonly fog = new THREE.Fog(SKY, 120, 400);
  private readonly live: HTMLImageElement;
  private readonly tag: HTMLElement;
  private liveUrl: string | null = null;
  /** showing the aircraft's video rather than the render */
  showingLive = false;

  constructor(private readonly container: HTMLElement, private readonly world: WorldScene) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(1);
    this.renderer.domElement.classList.add('gl');
    container.appendChild(this.renderer.domElement);
    this.overlay = container.querySelector('#camera-overlay') as HTMLCanvasElement;
    this.live = container.querySelector('#camera-live') as HTMLImageElement;
    this.tag = container.querySelector('#camera-tag') as HTMLElement;
    this.camera.layers.set(WORLD_LAYER);
    this.target = new THREE.WebGLRenderTarget(1, 1, { depthTexture: new THREE.DepthTexture(1, 1) });
    this.material = new THREE.ShaderMaterial({ ...DOF_SHADER, uniforms: THREE.UniformsUtils.clone(DOF_SHADER.uniforms) });
    this.quad = new FullScreenQuad(this.material);
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  private resize(): void {
    const cw = Math.max(1, this.container.clientWidth), ch = Math.max(1, this.container.clientHeight);
    let w = cw, h = Math.round(cw / this.aspect);
    if (h > ch) {
      h = ch;
      w = Math.round(ch * this.aspect);
    }
    this.widthPx = w;
    this.heightPx = h;
    this.renderer.setSize(w, h);
    this.target.setSize(w, h);
    this.overlay.width = w;
    this.overlay.height = h;
    this.overlay.style.width = `${w}px`;
    this.overlay.style.height = `${h}px`;
    this.live.style.width = `${w}px`;
    this.live.style.height = `${h}px`;
    this.material.uniforms.resolution!.value.set(w, h);
  }

  /** The aircraft's live video (an MJPEG URL), shown instead of the render when `show`. */
  setLiveVideo(url: string | null, show: boolean): void {
    this.liveUrl = url;
    this.showingLive = url !== null && show;
    // the stream only runs while shown: an <img> without src closes the connection
    if (this.showingLive) {
      if (this.live.src !== new URL(url!, location.href).href) this.live.src = url!;
    } else this.live.removeAttribute('src');
    this.live.hidden = !this.showingLive;
    this.renderer.domElement.hidden = this.showingLive;
    this.tag.textContent = this.showingLive ? 'LIVE VIDEO' : 'SIM RENDER · DoF';
  }

  get hasLiveVideo(): boolean {
    return this.liveUrl !== null;
  }

  render(v: VehicleState | null): void {
    if (!v) return;
    if (this.showingLive) {
      this.drawOverlay(v);
      return;
    }
    const aspect = v.camera.sensorWidthMm / v.camera.sensorHeightMm;
    if (Math.abs(aspect - this.aspect) > 1e-3) {
      this.aspect = aspect;
      this.resize();
    }
    this.placeCamera(v);
    const u = this.material.uniforms;
    u.tColor!.value = this.target.texture;
    u.tDepth!.value = this.target.depthTexture;
    u.cameraNear!.value = this.camera.near;
    u.cameraFar!.value = this.camera.far;
    u.focalLengthM!.value = v.lens.focalLengthMm / 1000;
    u.focusDistanceM!.value = v.lens.focusDistanceM;
    u.fNumber!.value = v.lens.fNumber;
    u.sensorWidthM!.value = v.camera.sensorWidthMm / 1000;

    const scene = this.world.scene;
    scene.background = SKY;
    scene.fog = this.fog;
    this.renderer.setRenderTarget(this.target);
    this.renderer.render(scene, this.camera);
    this.renderer.setRenderTarget(null);
    this.quad.render(this.renderer);
    scene.fog = null;
    this.drawOverlay(v);
  }

  /**
   * Three's camera looks down its −Z with +Y up: its axes are (right, up,
   * back) = (FRD y, −FRD z, −FRD x) of the camera, each taken through nedToThree.
   */
  private placeCamera(v: VehicleState): void {
    const pose = { positionNedM: vec3(...v.cameraNedM), yawRad: v.yawRad + v.gimbal.yawRad, pitchRad: v.gimbal.pitchRad, rollRad: v.gimbal.rollRad };
    const R = cameraRotation(pose, this.R); // columns: camera forward, right, down in NED
    const [bx, by, bz] = this.basis;
    nedToThree(R[1]!, R[4]!, R[7]!, bx);
    nedToThree(-R[2]!, -R[5]!, -R[8]!, by);
    nedToThree(-R[0]!, -R[3]!, -R[6]!, bz);
    this.m.makeBasis(bx, by, bz);
    this.camera.quaternion.setFromRotationMatrix(this.m);
    nedToThree(v.cameraNedM[0], v.cameraNedM[1], v.cameraNedM[2], this.camera.position);
    const vfov = 2 * Math.atan(v.camera.sensorHeightMm / (2 * v.lens.focalLengthMm));
    this.camera.fov = (vfov * 180) / Math.PI;
    this.camera.aspect = this.aspect;
    this.camera.updateProjectionMatrix();
    this.camera.updateMatrixWorld();
  }

  private drawOverlay(v: VehicleState): void {
    const ctx = this.overlay.getContext('2d')!;
    const w = this.widthPx, h = this.heightPx;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = 'rgba(255,255,255,0.45)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const f of [1 / 3, 2 / 3]) {
      ctx.moveTo(f * w, 0);
      ctx.lineTo(f * w, h);
      ctx.moveTo(0, f * h);
      ctx.lineTo(w, f * h);
    }
    ctx.stroke();
    // targets (cyan crosses) and where the subjects are (yellow dots), joined by the error
    const measured = new Map(v.shot.measured.map((p) => [`${p.subject}/${p.point}`, p]));
    for (const t of v.shot.targets) {
      const x = t.u * w, y = t.v * h;
      ctx.strokeStyle = '#4fc3f7';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x - 7, y);
      ctx.lineTo(x + 7, y);
      ctx.moveTo(x, y - 7);
      ctx.lineTo(x, y + 7);
      ctx.stroke();
      const m = measured.get(`${t.subject}/${t.point}`);
      if (m) {
        ctx.strokeStyle = 'rgba(255, 213, 79, 0.8)';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(m.u * w, m.v * h);
        ctx.stroke();
      }
    }
    ctx.fillStyle = '#ffd54f';
    ctx.font = '11px sans-serif';
    for (const m of v.shot.measured) {
      ctx.beginPath();
      ctx.arc(m.u * w, m.v * h, 3.5, 0, Math.PI * 2);
      ctx.fill();
      if (m.point === 'head') ctx.fillText(m.subject, m.u * w + 6, m.v * h - 6);
    }
    // readout strip
    ctx.fillStyle = 'rgba(0,0,0,0.55)';
    ctx.fillRect(0, h - 22, w, 22);
    ctx.fillStyle = '#e0e0e0';
    ctx.font = '12px ui-monospace, Menlo, monospace';
    const far = v.lens.farLimitM === null ? '∞' : v.lens.farLimitM.toFixed(1);
    const err = v.shot.compositionError === null ? '—' : v.shot.compositionError.toFixed(3);
    const parts = [`${v.lens.focalLengthMm.toFixed(1)} mm`, `f/${v.lens.fNumber.toFixed(1)}`, `focus ${v.lens.focusDistanceM.toFixed(2)} m`, `DoF ${v.lens.nearLimitM.toFixed(1)}–${far} m`, `comp.err ${err}`];
    // narrow views drop the depth-of-field span first (the plots show it)
    let text = parts.join('   ');
    if (ctx.measureText(text).width > w - 16) text = [parts[0], parts[1], parts[2], parts[4]].join('  ');
    ctx.fillText(text, 8, h - 7);
  }
}
