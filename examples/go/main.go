// One key pair: the public key for authorized_keys, the private key as a secret output.
package main

import (
	"github.com/ens-keypair/pulumi-ens-keypair/sdk/go/enskeypair"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		deploy, err := enskeypair.NewKeyPair(ctx, "deploy", &enskeypair.KeyPairArgs{
			KeyPairName: pulumi.String("go-deploy"),
			KeyType:     enskeypair.KeyTypeEd25519,
		})
		if err != nil {
			return err
		}
		ctx.Export("keyPairId", deploy.KeyPairId)
		ctx.Export("keyPairName", deploy.KeyPairName)
		ctx.Export("keyPairFingerPrint", deploy.KeyPairFingerPrint)
		ctx.Export("publicKeyOpenssh", deploy.PublicKeyOpenssh)
		ctx.Export("privateKeyOpenssh", deploy.PrivateKeyOpenssh)
		return nil
	})
}
