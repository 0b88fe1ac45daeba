// A figure as data: what an experiment plots, with the theory drawn over
// its measurements. Experiments put their figures in summary.json and in
// their results frame; the command line renders them to SVG files and
// report.html (src/figures/svg.ts), the page with uPlot (web/figures.ts).
// One description, three renderings: the page and the files cannot
// disagree about what a result shows.

export interface Axis {
  label: string;
  /** Shown after the label: "rate (Hz)". */
  unit?: string;
  /** Logarithmic (every value > 0). */
  log?: boolean;
  /** Fixed ends; otherwise the data's range. */
  min?: number;
  max?: number;
}

export interface Series {
  label: string;
  x: number[];
  y: number[];
  /**
   * line: measurements joined; points: measurements as markers; theory: a
   * reference curve (closed form, the literature), drawn dashed over the
   * data; step: a histogram's outline (x are the bins' left edges).
   */
  kind: 'line' | 'points' | 'theory' | 'step';
}

/** A vertical (axis x) or horizontal (axis y) line with a label: alpha_c, T_c, chance. */
export interface Mark {
  axis: 'x' | 'y';
  at: number;
  label: string;
}

export interface Figure {
  /** File name without extension (NAME.svg), unique within the experiment. */
  name: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  marks?: Mark[];
  /** A sentence under the figure: what to see in it. */
  caption?: string;
}

/** "label (unit)" */
export function axisTitle(a: Axis): string {
  return a.unit ? `${a.label} (${a.unit})` : a.label;
}

/** A name for files: "additive, all-to-all" -> "additive-all-to-all". */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Colour-blind-safe (Okabe & Ito 2008): the measurements' colours, in order. */
export const FIGURE_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442'];

/**
 * The colour of each series, the same on the page and in the SVG:
 * measurements take the palette in order, theory curves black then greys,
 * and a series without a label continues the one before it (a curve drawn
 * in pieces).
 */
export function seriesColours(series: readonly Series[]): string[] {
  let data = -1, theory = -1;
  return series.map((s) => {
    if (s.kind === 'theory') {
      if (s.label || theory < 0) theory++;
      return ['#000', '#555', '#999'][Math.min(theory, 2)]!;
    }
    if (s.label || data < 0) data++;
    return FIGURE_PALETTE[data % FIGURE_PALETTE.length]!;
  });
}
