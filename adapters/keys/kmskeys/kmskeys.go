// Package kmskeys is the AWS ports.KeyManager: data keys come from AWS KMS
// GenerateDataKey under the current key and are unwrapped with Decrypt, both
// bound to the encryption context. Rotation means configuring a new current
// key: KMS finds the key that wrapped a blob from the blob itself, so data
// keys wrapped by earlier keys still decrypt while those keys are enabled.
package kmskeys

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the key manager.
type Config struct {
	KeyID    string      // MULTISAUDE_KMS_KEY_ID: key ID, ARN or alias ("alias/multisaude-documents") of the current key
	Region   string      // MULTISAUDE_KMS_REGION; default the AWS configuration's region
	Endpoint string      // MULTISAUDE_KMS_ENDPOINT: endpoint override (tests, VPC endpoints)
	AWS      *aws.Config // default: the SDK's default configuration chain
}

// Keys implements ports.KeyManager on AWS KMS.
type Keys struct {
	keyID string
	api   *kms.Client
}

var _ ports.KeyManager = (*Keys)(nil)

// New builds the key manager. It does not call KMS.
func New(ctx context.Context, cfg Config) (*Keys, error) {
	if cfg.KeyID == "" {
		return nil, errors.New("kmskeys: MULTISAUDE_KMS_KEY_ID is required")
	}
	var awsCfg aws.Config
	if cfg.AWS != nil {
		awsCfg = cfg.AWS.Copy()
	} else {
		var err error
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("kmskeys: %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	api := kms.NewFromConfig(awsCfg, func(o *kms.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Keys{keyID: cfg.KeyID, api: api}, nil
}

// GenerateDataKey asks KMS for a 256-bit data key under the current key.
func (k *Keys) GenerateDataKey(ctx context.Context, encContext map[string]string) (ports.DataKey, error) {
	out, err := k.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(k.keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: encContext,
	})
	if err != nil {
		return ports.DataKey{}, translate(err, "generating a data key", false)
	}
	if len(out.Plaintext) != 32 || len(out.CiphertextBlob) == 0 {
		return ports.DataKey{}, kernel.Internal(fmt.Errorf("KMS returned a %d-byte key", len(out.Plaintext)), "bad data key from KMS")
	}
	return ports.DataKey{Plaintext: out.Plaintext, Wrapped: out.CiphertextBlob, KeyID: aws.ToString(out.KeyId)}, nil
}

// Decrypt unwraps a data key; KMS finds the wrapping key from the blob.
func (k *Keys) Decrypt(ctx context.Context, wrapped []byte, encContext map[string]string) ([]byte, error) {
	if len(wrapped) == 0 {
		return nil, kernel.Forbidden("a chave encapsulada está vazia")
	}
	out, err := k.api.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: encContext})
	if err != nil {
		return nil, translate(err, "decrypting a data key", true)
	}
	if len(out.Plaintext) != 32 {
		return nil, kernel.Forbidden("a chave encapsulada não é uma chave de dados")
	}
	return out.Plaintext, nil
}

// translate maps KMS errors to kernel kinds. A blob that does not decrypt
// under its context, names an unknown key or a key that may no longer be used
// is forbidden; throttling and KMS-side failures are unavailable (the SDK has
// already retried them). Access denied on Decrypt is forbidden too (KMS answers
// so for a blob naming a key that does not exist or is in another account); on
// GenerateDataKey it is a configuration fault.
func translate(err error, what string, decrypting bool) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		var ip *smithy.InvalidParamsError
		if errors.As(err, &ip) {
			return kernel.Forbidden("a chave encapsulada não é válida")
		}
		return kernel.Unavailable(err, "KMS cannot be reached")
	}
	switch ae.ErrorCode() {
	case "InvalidCiphertextException", "IncorrectKeyException", "NotFoundException", "DisabledException",
		"KMSInvalidStateException", "InvalidKeyUsageException", "ValidationException", "InvalidGrantTokenException":
		return kernel.Forbidden("a chave encapsulada não corresponde ao seu contexto de criptografia, foi alterada ou sua chave mestra está inutilizável")
	case "AccessDeniedException":
		if decrypting {
			return kernel.Forbidden("a chave encapsulada indica uma chave mestra que este serviço não pode usar")
		}
		return kernel.Internal(fmt.Errorf("KMS %s: %w", what, err), "KMS refused the request")
	case "ThrottlingException", "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException", "LimitExceededException":
		return kernel.Unavailable(err, "KMS is unavailable")
	default:
		return kernel.Internal(fmt.Errorf("KMS %s: %w", what, err), "KMS refused the request")
	}
}
