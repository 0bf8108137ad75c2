// wgsl_reflect's package.json says "type": "module" but its "main" is CommonJS, so Node's ESM loader
// needs the module build; this re-exports the package's own types for that path.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
