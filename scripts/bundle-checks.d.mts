import type { Metafile } from 'esbuild';

export interface BundleExpectations {
  /** The folder the metafile's paths are relative to. */
  workingDir: string;
  /** The bundle, as the metafile names it among its outputs. */
  outfile: string;
  budgetBytes: number;
  /** True for the stdio bundle: it must not contain hosted mode's code, nor an import() (the launcher runs it as a script). */
  stdioServer: boolean;
  /** Absolute paths of the files the build substitutes for dependency internals. */
  standIns: { ajv: string; englishLocales: string; precomputedSchemas: string };
}

export function bundleProblems(metafile: Pick<Metafile, 'inputs' | 'outputs'>, expected: BundleExpectations): string[];

export function buildExpectations(workingDir: string, outfile?: 'dist/main.cjs' | 'dist/hosted.cjs'): BundleExpectations;

export function launcherProblems(metafile: Pick<Metafile, 'inputs' | 'outputs'>): string[];
