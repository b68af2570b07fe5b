/**
 * A real OpenSSH server on 127.0.0.1 for login tests: its own host key, config and
 * `authorized_keys` in a temporary folder, on a free port, as the current user.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface Sshd {
    port: number;
    /** Runs `command` over ssh with the given private key (OpenSSH format); returns exit status and output. */
    login(privateKeyOpenssh: string, command: string): { status: number | null; stdout: string; stderr: string };
    /** Ends sshd, once it has exited, and removes its folder. */
    stop(): Promise<void>;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Resolves once sshd (run with `-D -e`) says it listens; rejects if it exits first. */
function listening(child: ChildProcess, port: number, log: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
        const said = () => {
            if (log().includes(`Server listening on 127.0.0.1 port ${port}.`)) {
                child.off("exit", exited);
                child.stderr?.off("data", said);
                resolve();
            }
        };
        const exited = (code: number | null) => reject(new Error(`sshd exited with status ${code} before it listened`));
        child.stderr?.on("data", said);
        child.once("exit", exited);
    });
}

/** Starts sshd accepting exactly the given public keys. Fails loudly if OpenSSH is not installed. */
export async function startSshd(authorizedKeys: string[]): Promise<Sshd> {
    const sshdPath = ["/usr/sbin/sshd", "/usr/bin/sshd"].find((p) => fs.existsSync(p));
    if (!sshdPath) {
        throw new Error("sshd not found: install Debian's openssh-server (.ci/run does)");
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-sshd-"));
    const hostKey = path.join(dir, "host_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
    const authorized = path.join(dir, "authorized_keys");
    fs.writeFileSync(authorized, authorizedKeys.map((k) => k.trim() + "\n").join(""), { mode: 0o600 });
    const port = await freePort();
    const config = path.join(dir, "sshd_config");
    fs.writeFileSync(
        config,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${hostKey}`,
            `AuthorizedKeysFile ${authorized}`,
            `PidFile ${path.join(dir, "sshd.pid")}`,
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "UsePAM no",
            "StrictModes no",
            `AllowUsers ${os.userInfo().username}`,
            "",
        ].join("\n"),
    );
    // Privilege separation needs this directory; Debian creates it only when the service starts.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const child = spawn(sshdPath, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        child.kill();
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await listening(child, port, () => log);
    } catch (err) {
        await stop();
        throw new Error(`${(err as Error).message}\n${log}`);
    }
    return {
        port,
        login(privateKeyOpenssh, command) {
            const keyFile = path.join(dir, `id_${Date.now()}_${Math.random().toString(36).slice(2)}`);
            fs.writeFileSync(keyFile, privateKeyOpenssh, { mode: 0o600 });
            try {
                const result = spawnSync(
                    "ssh",
                    [
                        "-i",
                        keyFile,
                        "-p",
                        String(port),
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "StrictHostKeyChecking=no",
                        "-o",
                        "UserKnownHostsFile=/dev/null",
                        "-o",
                        "LogLevel=ERROR",
                        "-o",
                        "ConnectTimeout=10",
                        `${os.userInfo().username}@127.0.0.1`,
                        command,
                    ],
                    { encoding: "utf8", timeout: 30_000 },
                );
                return { status: result.status, stdout: result.stdout, stderr: result.stderr };
            } finally {
                fs.rmSync(keyFile, { force: true });
            }
        },
        stop,
    };
}
