/**
 * Keys the provider makes, used as they are meant to be: to log in to a real sshd on 127.0.0.1.
 * Here, passphrase-protected ones (passphrase.test.ts checks their encodings with ssh-keygen and
 * openssl); the end-to-end suites log in with keys that a real `pulumi up` made.
 */
import * as assert from "assert";
import * as provider from "../provider/dynamic/implementation";
import { decryptedWithSshKeygen, protectedPairs, testPassphrase } from "./helpers/encryptedKeys";
import { checkAndCreate, configRequest, CreatedPair } from "./helpers/provider";
import { startSshd } from "./helpers/sshd";
import { withTempDir } from "./helpers/tempDir";

describe("passphrase-protected private keys at a real sshd", function () {
    it("once decrypted with ssh-keygen -p, each key logs in; encrypted, none does", async () => {
        await provider.configure(configRequest("local"));
        const pairs: { label: string; outs: CreatedPair["outs"] }[] = [];
        for (const { label, news } of protectedPairs) {
            pairs.push({ label, outs: (await checkAndCreate(provider, news)).outs });
        }
        const sshd = await startSshd(pairs.map(({ outs }) => String(outs.publicKeyOpenssh)));
        try {
            await withTempDir((dir) => {
                for (const { label, outs } of pairs) {
                    const encrypted = String(outs.privateKeyOpenssh);
                    const login = sshd.login(decryptedWithSshKeygen(dir, encrypted, testPassphrase), "echo logged-in");
                    assert.strictEqual(login.status, 0, `${label}: ${login.stderr}`);
                    assert.strictEqual(login.stdout.trim(), "logged-in");
                    // The encrypted key itself cannot log in without its passphrase.
                    assert.notStrictEqual(sshd.login(encrypted, "true").status, 0, `${label} logged in without its passphrase`);
                }
            });
        } finally {
            await sshd.stop();
        }
    });
});
