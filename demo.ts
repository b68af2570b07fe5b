// The root demo program (Pulumi.yaml): key pairs of each kind, with their outputs exported.
// `npm run demo` deploys it with `pulumi up` in this folder, as any Pulumi program is deployed.
import { KeyPair } from "pulumi-ens-keypair";

export = () => {
    const deploy = new KeyPair("deploy", { keyPairName: "ci-deploy" });
    const admin = new KeyPair("admin", { keyPairName: "edge-admin", keyType: "ed25519" });
    const build = new KeyPair("build", { keyPairNamePrefix: "build-", keyType: "ecdsa", ecdsaCurve: "P384" });

    return {
        keyPairId: deploy.keyPairId,
        keyPairName: deploy.keyPairName,
        keyPairFingerPrint: deploy.keyPairFingerPrint,
        fingerprintSha256: deploy.fingerprintSha256,
        publicKeyOpenssh: deploy.publicKeyOpenssh,
        privateKeyOpenssh: deploy.privateKeyOpenssh,
        privateKeyBody: deploy.privateKeyBody,
        adminKeyPairId: admin.keyPairId,
        adminPublicKeyOpenssh: admin.publicKeyOpenssh,
        adminPrivateKeyOpenssh: admin.privateKeyOpenssh,
        buildKeyPairName: build.keyPairName,
        buildFingerprintSha256: build.fingerprintSha256,
    };
};
