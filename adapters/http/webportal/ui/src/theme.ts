import { createSystem, defaultConfig, defineConfig } from "@chakra-ui/react";

// The portal's theme: Chakra's defaults with the teal palette one step darker
// for solid buttons and text, and field errors in red.700, so white on teal,
// teal on white and error text pass WCAG AA contrast (axe checks it in the
// browser journeys).
const config = defineConfig({
  theme: {
    semanticTokens: {
      colors: {
        // field error text: Chakra's red.500 fails AA contrast on white
        fg: { error: { value: { _light: "{colors.red.700}", _dark: "{colors.red.300}" } } },
        teal: {
          solid: { value: "{colors.teal.700}" },
          fg: { value: "{colors.teal.800}" },
          emphasized: { value: "{colors.teal.300}" },
          focusRing: { value: "{colors.teal.700}" },
        },
      },
    },
  },
  globalCss: {
    "main a:not([class])": { color: "teal.800", textDecoration: "underline" },
  },
});

export const system = createSystem(defaultConfig, config);
