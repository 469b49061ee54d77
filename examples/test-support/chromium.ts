/** How Chromium is started (kept apart from browser.ts, which imports vitest's test API, for global-setup.ts). */
export const CHROMIUM = '/usr/bin/chromium';

/** Options for playwright-core's chromium.launch / launchServer (a fresh copy each call: playwright keeps the args array). */
export const chromiumLaunchOptions = () => ({
  executablePath: CHROMIUM,
  headless: true as const,
  // Without the background-networking flags Chromium keeps dialling out into a closed network.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
