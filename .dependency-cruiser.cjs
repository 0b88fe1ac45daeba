// The layering of hebb (ARCHITECTURE.md), checked by `npm test`
// (test/unit/layers.test.ts). A layer may import the layers below it, never
// one above; there are no import cycles anywhere; the page knows only the
// wire protocol; only src/kernel touches the kernel's memory.

/** From the bottom up. Modules of one layer may import each other (without cycles). */
const LAYERS = [
  ['core', 'protocol', 'analysis', 'figures', 'equations'],
  ['data'],
  ['model'],
  ['kernel'],
  ['network'],
  ['dense'],
  ['sim', 'modules'],
  ['record', 'export'],
  ['experiments'],
  ['index'],
  ['server'],
  ['bench'],
  ['cli'],
];

const pathOf = (layer) => (layer === 'index' ? '^src/index\\.ts$' : layer === 'bench' ? '^bench/' : `^src/${layer}/`);
const any = (layers) => `(${layers.map(pathOf).join('|')})`;

const upward = LAYERS.flatMap((layer, k) => {
  const above = LAYERS.slice(k + 1).flat();
  if (!above.length) return [];
  return [{
    name: `no-upward-from-${layer.join('-')}`,
    comment: `${layer.join(' and ')} must not import a layer above it (${above.join(', ')})`,
    severity: 'error',
    from: { path: any(layer) },
    to: { path: any(above) },
  }];
});

const config = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, between layers or within one',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'page-knows-only-the-protocol',
      comment: 'web/ imports src/protocol and its own modules only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(src/(?!protocol/)|bench/|assembly/)' },
    },
    {
      name: 'kernel-memory-stays-in-src-kernel',
      comment: 'only src/kernel reaches the WASM instance and its generated bindings',
      severity: 'error',
      from: { pathNot: '^src/kernel/' },
      to: { path: '^src/kernel/(instance|generated/)' },
    },
    {
      name: 'kernel-is-assemblyscript-only',
      comment: 'assembly/ (the WASM kernel) imports nothing from the host',
      severity: 'error',
      from: { path: '^assembly/' },
      to: { pathNot: '^assembly/' },
    },
    {
      name: 'host-does-not-import-kernel-source',
      comment: 'the host reaches the kernel through src/kernel, never its source',
      severity: 'error',
      from: { path: '^(src|web|bench)/' },
      to: { path: '^assembly/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|build|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};

module.exports = config;
// Not part of dependency-cruiser's options: the layers, for ARCHITECTURE.md's test.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
