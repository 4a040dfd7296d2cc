/**
 * Quest 3 capture without WebXR camera-access: the passthrough camera through getUserMedia. The
 * browser asks for the "Headset cameras" permission, which must happen BEFORE the immersive session
 * starts (the permission prompt cannot show inside it), so /scan calls startQuestPassthrough() from the
 * Enter button. Frames carry the requestVideoFrameCallback capture time (same clock as XR frame
 * times); their pose is interpolated from buffered viewer poses (lib/capture/quest-camera.ts), and the
 * keyframes are marked approxPose.
 */
import type { Frame, RgbImage } from '../../capture/frame';
import { PoseBuffer, questCalibrationFor, questCameraToWorld, type QuestCameraCalibration } from '../../capture/quest-camera';

export function isQuestBrowser(userAgent: string): boolean {
  return /Quest/.test(userAgent) && /OculusBrowser|Quest/.test(userAgent);
}

type VideoWithRvfc = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { captureTime?: number; expectedDisplayTime: number; mediaTime: number }) => void) => number;
};

export class QuestPassthrough {
  readonly poses = new PoseBuffer(240);
  private lastFrameTime = -Infinity;
  private canvas: OffscreenCanvas | null = null;
  private stopped = false;

  private constructor(
    private readonly video: VideoWithRvfc,
    private readonly stream: MediaStream,
    readonly calibration: QuestCameraCalibration,
    private readonly targetWidth: number,
  ) {
    const onFrame = (_now: number, meta: { captureTime?: number; expectedDisplayTime: number }) => {
      if (this.stopped) return;
      this.lastFrameTime = meta.captureTime ?? meta.expectedDisplayTime;
      video.requestVideoFrameCallback!(onFrame);
    };
    video.requestVideoFrameCallback!(onFrame);
  }

  /** Asks for the headset camera (call before entering immersive mode). Throws with the reason when refused. */
  static async start(targetWidth = 320): Promise<QuestPassthrough> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser has no getUserMedia: the headset cameras cannot be read');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 960, facingMode: 'environment' }, audio: false });
    } catch (e) {
      throw new Error(`the "Headset cameras" permission was refused or failed (${e instanceof Error ? e.message : String(e)})`);
    }
    const video = document.createElement('video') as VideoWithRvfc;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    if (!video.requestVideoFrameCallback) {
      stream.getTracks().forEach((t) => t.stop());
      throw new Error('this browser has no requestVideoFrameCallback: passthrough frames cannot be timed against head poses');
    }
    const cal = questCalibrationFor(navigator.userAgent, video.videoWidth, video.videoHeight);
    if (!cal) {
      stream.getTracks().forEach((t) => t.stop());
      throw new Error(`no camera calibration for this headset (${navigator.userAgent})`);
    }
    return new QuestPassthrough(video, stream, cal, targetWidth);
  }

  /** Feed every XR frame's viewer pose. */
  pushViewerPose(timestamp: number, viewerToWorld: ArrayLike<number>): void {
    try {
      this.poses.push(timestamp, viewerToWorld);
    } catch {
      // Equal timestamps (two XR frames at one time) or a bad pose: skip this sample.
    }
  }

  /** The latest passthrough frame as a keyframe, or null when its time has no bracketing poses. */
  grab(id: string): Frame | null {
    const t = this.lastFrameTime - this.calibration.latencyMs;
    const head = this.poses.poseAt(t);
    if (!head) return null;
    const k = this.calibration.intrinsics;
    const W = Math.min(this.targetWidth, k.width);
    const H = Math.round((W * k.height) / k.width);
    this.canvas ??= new OffscreenCanvas(W, H);
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(this.video, 0, 0, W, H);
    const rgba = ctx.getImageData(0, 0, W, H).data;
    const data = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) {
      data[3 * i] = rgba[4 * i];
      data[3 * i + 1] = rgba[4 * i + 1];
      data[3 * i + 2] = rgba[4 * i + 2];
    }
    const image: RgbImage = { width: W, height: H, data };
    const sx = W / k.width, sy = H / k.height;
    return {
      id,
      image,
      intrinsics: { fx: k.fx * sx, fy: k.fy * sy, cx: k.cx * sx, cy: k.cy * sy, width: W, height: H },
      cameraToWorld: questCameraToWorld(head.pose, this.calibration),
      timestamp: t,
      approxPose: true,
    };
  }

  stop(): void {
    this.stopped = true;
    this.stream.getTracks().forEach((tr) => tr.stop());
  }
}
