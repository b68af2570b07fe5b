/**
 * A folder served over HTTP on 127.0.0.1, as a release page serves its assets: GET of a file's
 * path returns the file, anything else 404. It records every request, so a test can tell what a
 * client downloaded from it, or asked it for. The server is a process of its own: the tests run
 * the clients (`pulumi`, `pip`, `npm`, `go`) synchronously, which would leave a server in the
 * test's own process unable to answer.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

export interface FileServer {
    /** `http://127.0.0.1:<port>`, without a trailing slash. */
    url: string;
    /** The requests so far, in order, with their status: `200 /a/b.tgz`, `404 /api/x?name=y`. */
    readonly requests: string[];
    close(): Promise<void>;
}

/** Starts a server of `root` in a child process; resolves once it listens. */
export function serveFolder(root: string): Promise<FileServer> {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-served-")), "requests.log");
    fs.writeFileSync(log, "");
    const child: ChildProcess = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, root, log], {
        // Its stdin is a pipe from this process: when this process ends, however, the server does too.
        stdio: ["pipe", "pipe", "inherit"],
        cwd: path.join(__dirname, "..", ".."),
    });
    return new Promise((resolve, reject) => {
        let out = "";
        child.once("exit", (code) => reject(new Error(`the file server exited with ${code} before it listened`)));
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
            out += chunk;
            const port = /^(\d+)\n/.exec(out)?.[1];
            if (port === undefined) {
                return;
            }
            child.removeAllListeners("exit");
            resolve({
                url: `http://127.0.0.1:${port}`,
                get requests() {
                    return fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
                },
                close: () =>
                    new Promise<void>((done) => {
                        child.once("exit", () => {
                            fs.rmSync(path.dirname(log), { recursive: true, force: true });
                            done();
                        });
                        child.kill();
                    }),
            });
        });
    });
}

/** The server itself: serves `root`, appends each request to `log`, and prints its port. */
function serve(root: string, log: string): void {
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const file = path.join(root, decodeURIComponent(url.pathname));
        const found = file.startsWith(root + path.sep) && req.method === "GET" && fs.existsSync(file) && fs.statSync(file).isFile();
        fs.appendFileSync(log, `${found ? 200 : 404} ${url.pathname}${url.search}\n`);
        if (!found) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200, { "Content-Length": fs.statSync(file).size, "Content-Type": "application/octet-stream" });
        fs.createReadStream(file).pipe(res);
    });
    server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
    process.stdin.on("end", () => process.exit(0));
    process.stdin.resume();
}

if (require.main === module) {
    serve(path.resolve(process.argv[2]), process.argv[3]);
}
