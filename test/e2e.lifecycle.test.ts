// The KeyPair lifecycle as a pipeline runs it: each step a `pulumi` command in a program folder
// (up, no-change up and preview, refresh, replacements in the right order, destroy). Every
// scenario deploys its own stack, so none depends on another having run. The stacks live only in
// this run's file backends (the local backend keeps keys in state), removed when the run ends.
import * as assert from "assert";
import * as path from "path";
import { ProgramStack, Operation } from "./helpers/programStack";
import { assertArmour, assertSameKey } from "./helpers/pem";

describe("end to end: the lifecycle through the pulumi CLI", function () {
    this.timeout(300_000);

    describe("a deployed pair", () => {
        let stack: ProgramStack;
        let created: Operation;
        let first: Record<string, unknown>;

        before(() => {
            stack = ProgramStack.create({ program: "lifecycle", scenario: "lifecycle", config: { name: "e2e-lifecycle", keyType: "rsa" } });
            created = stack.up();
            first = stack.outputs();
        });

        it("up creates it, with outputs of the documented shapes and the private keys secret", () => {
            assert.deepStrictEqual(created.changes, { create: 2 });
            const value = (name: string) => String(first[name]);
            assert.match(value("keyPairId"), /^ssh-[a-z0-9]{23}$/);
            assert.strictEqual(value("keyPairName"), "e2e-lifecycle");
            assert.strictEqual(value("keyType"), "rsa");
            assert.strictEqual(first.rsaBits, 2048);
            assert.match(value("keyPairFingerPrint"), /^[0-9a-f]{32}$/);
            assert.strictEqual(value("fingerprintMd5").replace(/:/g, ""), value("keyPairFingerPrint"));
            assert.match(value("fingerprintSha256"), /^SHA256:[A-Za-z0-9+/]{43}$/);
            assert.match(value("publicKeyOpenssh"), /^ssh-rsa AAAA[A-Za-z0-9+/=]+$/);
            assertArmour(value("privateKeyBody"), "PRIVATE KEY");
            assertArmour(value("privateKeyOpenssh"), "OPENSSH PRIVATE KEY");
            assert.match(value("creationTime"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
            assert.match(value("requestId"), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
            assert.deepStrictEqual(stack.secretOutputNames().sort(), ["privateKeyBody", "privateKeyOpenssh"]);
        });

        it("`preview --expect-no-changes` and a second `up` change nothing and generate no key", () => {
            const preview = stack.preview("--expect-no-changes");
            assert.deepStrictEqual(preview.changes, { same: 2 });
            assert.deepStrictEqual(preview.steps, ["same pair"]);
            const again = stack.up();
            assert.deepStrictEqual(again.changes, { same: 2 });
            assert.deepStrictEqual(again.steps, ["same pair"]);
            const after = stack.outputs();
            assertSameKey(after.privateKeyBody, first.privateKeyBody, "after a second up");
            assert.strictEqual(after.keyPairId, first.keyPairId);
            assert.strictEqual(after.creationTime, first.creationTime);
        });

        it("`refresh` changes nothing", () => {
            const refresh = stack.refresh();
            assert.deepStrictEqual(refresh.changes, { same: 2 });
            const after = stack.outputs();
            assertSameKey(after.privateKeyBody, first.privateKeyBody, "after refresh");
            assert.strictEqual(after.keyPairId, first.keyPairId);
        });
    });

    it("changing keyType replaces the pair, deleting the old one first since the name stays", () => {
        const stack = ProgramStack.create({
            program: "lifecycle",
            scenario: "replace-key-type",
            config: { name: "e2e-rekeyed", keyType: "rsa" },
        });
        stack.up("--skip-preview");
        const before = stack.outputs();
        stack.setConfig("keyType", "ed25519");
        const result = stack.up();
        assert.strictEqual(result.changes.replace, 1);
        // The engine reports the replace step itself between the two; what matters is delete first.
        assert.deepStrictEqual(
            result.steps.filter((s) => /replace/.test(s)),
            ["delete-replaced pair", "replace pair", "create-replacement pair"],
        );
        const after = stack.outputs();
        assert.match(String(after.publicKeyOpenssh), /^ssh-ed25519 /);
        assert.strictEqual(after.keyPairName, "e2e-rekeyed");
        assert.notStrictEqual(after.keyPairId, before.keyPairId);
    });

    it("a rotation through a RandomId renames the pair and replaces it, creating the new one first", () => {
        const stack = ProgramStack.create({ program: "rotation", scenario: "rotation", config: { rotation: "1" } });
        stack.up("--skip-preview");
        const before = stack.outputs();
        assert.match(String(before.keyPairName), /^rotating-[0-9a-f]{8}$/);
        stack.setConfig("rotation", "2");
        const result = stack.up();
        assert.strictEqual(result.changes.replace, 2, "the RandomId and the pair");
        assert.deepStrictEqual(
            result.steps.filter((s) => / pair$/.test(s) && /replace/.test(s)),
            ["create-replacement pair", "replace pair", "delete-replaced pair"],
        );
        const after = stack.outputs();
        assert.match(String(after.keyPairName), /^rotating-[0-9a-f]{8}$/);
        assert.notStrictEqual(after.keyPairName, before.keyPairName);
        assert.notStrictEqual(after.keyPairId, before.keyPairId);
    });

    // Stacks exported by earlier releases: their states hold the serialized provider as each release
    // wrote it, and a refresh or destroy of a pair runs that text, which loads
    // `pulumi-ens-keypair/provider`. 2a6061e is the last release before the source moved to provider/,
    // 99ad5ce the last before the dynamic door moved to provider/dynamic/.
    for (const release of ["2a6061e", "99ad5ce"]) {
        describe(`a stack deployed by release ${release}`, () => {
            const fixture = path.join(__dirname, "fixtures", `lifecycle-state-${release}.json`);
            let stack: ProgramStack;
            let released: Record<string, unknown>;

            before(() => {
                stack = ProgramStack.create({
                    program: "lifecycle",
                    scenario: `released-${release}`,
                    config: { name: "released-pair", keyType: "ed25519" },
                });
                stack.pulumi(["stack", "import", "--file", fixture]);
                released = stack.outputs();
            });

            it("`refresh` reads the pair through its stored provider and keeps it", () => {
                assert.match(String(released.keyPairId), /^ssh-[a-z0-9]{23}$/);
                const refresh = stack.refresh();
                assert.deepStrictEqual(refresh.changes, { same: 2 });
                const after = stack.outputs();
                assert.strictEqual(after.keyPairId, released.keyPairId);
                assertSameKey(after.privateKeyOpenssh, released.privateKeyOpenssh, "after refresh");
                assertArmour(after.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
            });

            it("`preview --expect-no-changes` of the same program under this version changes nothing", () => {
                assert.deepStrictEqual(stack.preview("--expect-no-changes").changes, { same: 2 });
            });

            it("`destroy` deletes the pair through its stored provider", () => {
                assert.deepStrictEqual(stack.destroy().changes, { delete: 2 });
                assert.deepStrictEqual(stack.resourceTypes(), []);
            });
        });
    }

    it("`destroy` leaves an empty stack", () => {
        const stack = ProgramStack.create({
            program: "lifecycle",
            scenario: "destroy",
            config: { name: "e2e-destroyed", keyType: "ed25519" },
        });
        stack.up("--skip-preview");
        const result = stack.destroy();
        assert.deepStrictEqual(result.changes, { delete: 2 });
        assert.deepStrictEqual(stack.resourceTypes(), []);
        assert.deepStrictEqual(stack.outputs(), {});
    });
});
