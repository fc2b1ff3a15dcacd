// Jest runs tests in a vm context whose globalThis lacks the symbol under which Node keeps its
// undici global dispatcher. @google/genai 3.x sends every request through a dispatcher that
// delegates to that global one, so under plain Jest every SDK call fails with "fetch failed"
// before reaching a socket. Sharing the host's dispatcher with the test context lets the real SDK
// talk to the real emulator, exactly as it does in production.
import NodeEnvironment from 'jest-environment-node';

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export default class SdkEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    if (!globalThis[DISPATCHER]) new Headers(); // Node initialises undici lazily
    this.global[DISPATCHER] = globalThis[DISPATCHER];
  }
}
