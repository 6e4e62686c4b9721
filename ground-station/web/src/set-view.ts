/** The operator's 3D view of the set: orbit camera, world + helper layers. */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { HELPER_LAYER, WORLD_LAYER, type WorldScene } from './world-scene.ts';
import { nedToThree } from './ned.ts';

const BACKGROUND = new THREE.Color(0x0e131a);

export class SetView {
  readonly renderer: THREE.WebGLRenderer;
  readonly camera = new THREE.PerspectiveCamera(50, 1, 0.1, 2000);
  private readonly controls: OrbitControls;
  /** frames to draw before going idle (damping keeps the view moving for a while after input) */
  private pendingFrames = 1;

  constructor(private readonly container: HTMLElement, private readonly world: WorldScene) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.domElement.classList.add('gl');
    container.appendChild(this.renderer.domElement);
    this.camera.layers.enable(WORLD_LAYER);
    this.camera.layers.enable(HELPER_LAYER);
    nedToThree(-24, -14, -14, this.camera.position);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.copy(nedToThree(0, 0, 0));
    this.controls.enableDamping = true;
    this.controls.maxPolarAngle = Math.PI / 2 - 0.02;
    this.controls.update();
    this.controls.addEventListener('change', () => this.invalidate());
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth), h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.invalidate();
  }

  /** Something changed: draw the next frames (enough for the orbit damping to settle). */
  invalidate(): void {
    this.pendingFrames = 30;
  }

  /** Draws only when the scene or the view changed since the last frames. */
  render(sceneChanged: boolean): void {
    this.controls.update();
    if (sceneChanged) this.pendingFrames = Math.max(this.pendingFrames, 1);
    if (this.pendingFrames <= 0) return;
    this.pendingFrames--;
    this.world.scene.background = BACKGROUND;
    this.world.scene.fog = null;
    this.renderer.render(this.world.scene, this.camera);
  }
}
