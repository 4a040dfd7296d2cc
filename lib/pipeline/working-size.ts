/**
 * The long side of the working resolution: 480 px is where the fox novel-view figures of docs/RESULTS.md were
 * measured (270x480). Its own module so the /scan page can read captures at this size without bundling the pipeline.
 */
export const DEFAULT_MAX_SIZE = 480;
