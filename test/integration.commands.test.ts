/**
 * The project's commands, each in a process of its own: the ENS-compatible server
 * (`npm run ens-server`) and how it shuts down, and `orphans` and its exit codes. In-process, the
 * server is in ensServer.test.ts and the command in orphans.test.ts; e2e.readme.test.ts runs the
 * packed command with npx.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import { ClientRequest, request as httpRequest } from "http";
import { join } from "path";
import { createInterface } from "readline";
import { repoRoot } from "./helpers/paths";
import { Queue } from "./helpers/queue";

/**
 * A form POST to `url` of `body.length` bytes whose headers the server has taken: it answered
 * `100 Continue`, so its handler runs. The body is the caller's to send, or not.
 */
function continued(url: string, body: string): Promise<ClientRequest> {
    return new Promise((resolve, reject) => {
        const req = httpRequest(url, {
            method: "POST",
            agent: false,
            headers: { expect: "100-continue", "content-type": "application/x-www-form-urlencoded", "content-length": body.length },
        });
        req.once("error", reject);
        req.once("continue", () => {
            req.off("error", reject);
            // The call ends without an answer, as the test intends.
            req.on("error", () => undefined);
            resolve(req);
        });
        req.flushHeaders();
    });
}

describe("the ENS-compatible server as a command", function () {
    it("exits with 0 on SIGTERM, long before its latency ends, with a call in flight and a client gone mid-body", async () => {
        const server = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "ens-server/main.ts", "--latency-ms", "600000", "--log"],
            { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
        );
        const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
        const stdout = new Queue<string>();
        const stderr = new Queue<string>();
        createInterface({ input: server.stdout }).on("line", (line) => stdout.push(line));
        createInterface({ input: server.stderr }).on("line", (line) => stderr.push(line));
        try {
            const url = await Promise.race([
                stdout.next(),
                exited.then((code) => Promise.reject(new Error(`the server exited with ${code}`))),
            ]);
            // A client that goes away mid-body: the case that once left a call pending forever.
            const gone = await continued(`${url}/?Action=DescribeKeyPairs`, "x=1&y=2");
            gone.write("x=1");
            gone.destroy();
            await stderr.find((line) => line.startsWith("POST - 500 InternalError "));
            // A call in flight, whose latency would end in ten minutes.
            const inFlight = await continued(`${url}/?Action=DescribeKeyPairs`, "x=1");
            inFlight.end("x=1");
            server.kill("SIGTERM");
            assert.strictEqual(await exited, 0);
            const said = stderr.drain();
            assert.ok(
                said.some((line) => line.startsWith("POST - abandoned: server closing ")),
                `the call in flight was abandoned:\n${said.join("\n")}`,
            );
            assert.ok(
                said.some((line) => line.startsWith("ens-server: closed;")),
                `the server says it closed:\n${said.join("\n")}`,
            );
        } finally {
            if (server.exitCode === null && server.signalCode === null) {
                server.kill("SIGKILL");
                await exited;
            }
        }
    });
});

describe("the orphans command in a process of its own", function () {
    /** The command's source, its stdin no terminal. */
    const command = (...args: string[]) =>
        spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join("provider", "cli", "main.ts"), ...args], {
            cwd: repoRoot,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });

    it("runs, refusing a missing stack and unknown flags with exit code 2", () => {
        const help = command("orphans", "--help");
        assert.strictEqual(help.status, 0, help.stderr);
        assert.match(help.stdout, /^Usage: npx pulumi-ens-keypair orphans/);
        const bare = command("orphans");
        assert.strictEqual(bare.status, 2);
        assert.match(bare.stderr, /give --stack NAME/);
        const bogus = command("orphans", "--bogus");
        assert.strictEqual(bogus.status, 2);
        assert.match(bogus.stderr, /--bogus/);
    });
});
