// One key pair: the public key for authorized_keys, the private key as a secret output.
package example;

import com.pulumi.Pulumi;
import io.github.enskeypair.enskeypair.KeyPair;
import io.github.enskeypair.enskeypair.KeyPairArgs;
import io.github.enskeypair.enskeypair.enums.KeyType;

public class App {
    public static void main(String[] args) {
        Pulumi.run(ctx -> {
            var deploy = new KeyPair("deploy", KeyPairArgs.builder()
                .keyPairName("java-deploy")
                .keyType(KeyType.Ed25519)
                .build());
            ctx.export("keyPairId", deploy.keyPairId());
            ctx.export("keyPairName", deploy.keyPairName());
            ctx.export("keyPairFingerPrint", deploy.keyPairFingerPrint());
            ctx.export("publicKeyOpenssh", deploy.publicKeyOpenssh());
            ctx.export("privateKeyOpenssh", deploy.privateKeyOpenssh());
        });
    }
}
