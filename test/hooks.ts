/**
 * Root hooks. The end-to-end tests' throwaway backends and work folders go when the run ends. And
 * a run fails if it leaves a handle that keeps the process alive (a server, a socket, a child
 * process, a timer): mocha does not exit by force, so such a leak would hang the run, and CI with
 * it. In parallel runs these hooks run around each file, so a leak is charged to its file.
 */
import { removeTestRoot } from "./helpers/paths";

/** How long mocha has to print its report before a process that a leak keeps alive is ended. */
const endAfterReportMs = 10_000;

let before: string[] = [];

/** What is left of `after` once each of `before` is taken out of it. */
function added(after: string[], before: string[]): string[] {
    const left = [...after];
    for (const resource of before) {
        const at = left.indexOf(resource);
        if (at >= 0) {
            left.splice(at, 1);
        }
    }
    return left;
}

/**
 * Whether a resource is a request (a file read or close, a write, a DNS lookup, a crypto job): it
 * ends by itself, though perhaps after other work queued before it, so it is no leak.
 */
function isRequest(resource: string): boolean {
    return /(Req|ReqWrap|ReqCallback|ReqPromise|Job)$|^(WriteWrap|ShutdownWrap|ConnectWrap|QueryWrap)$/.test(resource);
}

/** One turn of the event loop: handles closed by the last test run their close callbacks. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

export const mochaHooks = {
    beforeAll(): void {
        before = process.getActiveResourcesInfo();
    },
    afterAll: [
        async (): Promise<void> => {
            removeTestRoot();
            await turn();
            await turn();
        },
        // Synchronous, so that mocha runs no timer of its own for it, which would count as a leak.
        (): void => {
            const leaked = added(process.getActiveResourcesInfo(), before).filter((resource) => !isRequest(resource));
            if (leaked.length > 0) {
                // What leaked would keep the process from ending once mocha has reported this failure.
                setTimeout(() => process.exit(1), endAfterReportMs).unref();
                throw new Error(`the tests left ${leaked.join(", ")} keeping the process alive: close what they start`);
            }
        },
    ],
};
