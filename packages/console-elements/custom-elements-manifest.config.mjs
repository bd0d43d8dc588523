/**
 * The Custom Elements Manifest of the elements (`custom-elements.json`, named by
 * `customElements` in package.json): tags, attributes, properties, events,
 * CSS parts and custom properties, read from the classes' TSDoc (`@summary`,
 * `@fires`, `@csspart`, `@cssproperty`, `@slot`). Editors and Storybook read it.
 * Run `npm run manifest` in this package.
 */
export default {
  globs: ['src/components/**/*.ts', 'src/shared/preloop-element.ts', 'src/shared/live-controller.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [
    {
      // Elements register through defineElements() (tag names are the host's choice), not customElements.define: give each its default tag.
      name: 'preloop-default-tags',
      analyzePhase({ ts, node, moduleDoc }) {
        if (!ts.isClassDeclaration(node) || !node.name) return;
        const className = node.name.getText();
        if (!/^Preloop[A-Z]/.test(className) || className === 'PreloopElement') return;
        const declaration = moduleDoc.declarations?.find((item) => item.name === className);
        if (!declaration) return;
        const tagName = className.replace(/[A-Z]/g, (letter, index) => (index ? '-' : '') + letter.toLowerCase());
        declaration.tagName = tagName;
        declaration.customElement = true;
        moduleDoc.exports ??= [];
        if (!moduleDoc.exports.some((item) => item.kind === 'custom-element-definition' && item.name === tagName)) {
          moduleDoc.exports.push({
            kind: 'custom-element-definition',
            name: tagName,
            declaration: { name: className, module: moduleDoc.path },
          });
        }
      },
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            // The events are the `preloop-*` classes named by @fires; the analyzer also guesses one from each `dispatchEvent(new …Event(argument))`.
            if (declaration.events) {
              declaration.events = declaration.events
                .filter((event) => event.name?.startsWith('preloop-'))
                .map((event) => ({
                  ...event,
                  type: { text: `${event.name.replace(/(^|-)([a-z])/g, (_, __, letter) => letter.toUpperCase())}Event` },
                }));
            }
            // The public surface only: private and protected members are implementation.
            if (declaration.members)
              declaration.members = declaration.members.filter((member) => !member.privacy || member.privacy === 'public');
          }
        }
      },
    },
  ],
};
