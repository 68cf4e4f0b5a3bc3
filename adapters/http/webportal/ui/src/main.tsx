import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ChakraProvider } from "@chakra-ui/react";
import { system } from "./theme";
import createCache from "@emotion/cache";
import { CacheProvider } from "@emotion/react";
import { App } from "./App";
import { AuthProvider } from "./auth";
import "./styles.css";

// The server's Content Security Policy allows styles only with this page's
// nonce (webportal.go); Emotion stamps it on every <style> it adds.
const nonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce || undefined;
const cache = createCache({ key: "ms", nonce });

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <CacheProvider value={cache}>
      <ChakraProvider value={system}>
        <BrowserRouter>
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </ChakraProvider>
    </CacheProvider>
  </StrictMode>,
);
