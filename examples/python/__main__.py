"""One key pair: the public key for authorized_keys, the private key as a secret output."""

import pulumi
import pulumi_ens_keypair as ens_keypair

deploy = ens_keypair.KeyPair(
    "deploy",
    key_pair_name="python-deploy",
    key_type=ens_keypair.KeyType.ED25519,
)

pulumi.export("keyPairId", deploy.key_pair_id)
pulumi.export("keyPairName", deploy.key_pair_name)
pulumi.export("keyPairFingerPrint", deploy.key_pair_finger_print)
pulumi.export("publicKeyOpenssh", deploy.public_key_openssh)
pulumi.export("privateKeyOpenssh", deploy.private_key_openssh)
