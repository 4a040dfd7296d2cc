/**
 * Who owns a select (trigger / pinch) in an AR session. The same select that presses a key on the in-XR
 * query panel would also place the scene at the reticle (a tap) or drag it (a moving select), so a select
 * that STARTS with the source's ray on the panel belongs to the panel for its whole life: the panel
 * claims it, the placement input treats the source as not selecting until the select ends.
 *
 * The decision is taken once per select, by whichever side sees it first (the panel's selectstart
 * handler, or the placement input's frame step when it reads the trigger before the event), from the
 * panel's latest ray test, so both sides always agree. Sources are compared by identity (XRInputSource
 * objects live as long as the source is connected).
 */
export class XrSelectClaims {
  /** Sources whose ray was on the panel at the latest panel frame. */
  private readonly over = new Set<object>();
  /** Decision for each select in progress: true = the panel's. */
  private readonly decided = new Map<object, boolean>();

  /** The panel's ray test for `source` this frame (call every frame, true while the ray is on it). */
  setOver(source: object, on: boolean): void {
    if (on) this.over.add(source);
    else this.over.delete(source);
  }

  isOver(source: object): boolean {
    return this.over.has(source);
  }

  /**
   * A select of `source` is held. The first call of a select decides (claimed when the ray is on the
   * panel now); later calls of the same select return that decision even when the ray has left the panel.
   */
  held(source: object): boolean {
    let d = this.decided.get(source);
    if (d === undefined) this.decided.set(source, (d = this.over.has(source)));
    return d;
  }

  /** True while a select of `source` is in progress and belongs to the panel. */
  isClaimed(source: object): boolean {
    return this.decided.get(source) === true;
  }

  /** The select of `source` ended (idempotent: both sides call it). */
  released(source: object): void {
    this.decided.delete(source);
  }

  /** Forgets every source (a new session, or the panel went away). */
  reset(): void {
    this.over.clear();
    this.decided.clear();
  }
}
