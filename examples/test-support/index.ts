/**
 * The examples' test harness (see examples/README.md, "Tests"). Every example's browser test
 * imports from here: real Herald, real backend processes, the built frontend, one shared Chromium.
 */
export { DEFAULT_HERALD_CONFIG, Herald, exampleHeraldConfig, startHerald, type HeraldOptions } from './herald.js';
export { Backend, startBackend, type BackendOptions } from './backend.js';
export { buildFrontend } from './frontend.js';
export { serveStatic, type StaticOptions, type StaticServer } from './static.js';
export { CHROMIUM, chromiumLaunchOptions, openPage, releaseBrowser, screenshot, sharedBrowser, type ExamplePage } from './browser.js';
export { REDIS_URL, deleteRedisKeys, redisAvailable, redisCommands, redisConfig, redisPrefix } from './redis.js';
export { POSTGRES_ADMIN_URL, freshDatabase, type FreshDatabase } from './postgres.js';
export { ManagedProcess, type ProcessSpec } from './process.js';
export { EXAMPLES, REPO, TEST_OUTPUT } from './paths.js';
export { answers, freePort, until } from './wait.js';
