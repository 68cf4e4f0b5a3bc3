package sqsqueue

import (
	"context"
	"errors"
	"fmt"
	"net"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/multisaude/multisaude/core/kernel"
)

// translate turns an SDK error into a kernel kind; the SDK's retryer has
// already retried throttling and 5xx answers.
func translate(err error, format string, a ...any) error {
	msg := "sqsqueue: " + fmt.Sprintf(format, a...)
	var (
		nx  *types.QueueDoesNotExist
		api smithy.APIError
		re  *awshttp.ResponseError
		ne  net.Error
	)
	switch {
	case errors.As(err, &nx):
		return kernel.Unavailable(err, "%s: queue does not exist", msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &api) && (api.ErrorCode() == "RequestThrottled" || api.ErrorCode() == "ThrottlingException" ||
		api.ErrorCode() == "ServiceUnavailable" || api.ErrorCode() == "InternalFailure" || api.ErrorCode() == "KmsThrottled"):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &re) && (re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 429):
		return kernel.Unavailable(err, "%s", msg)
	case errors.As(err, &ne):
		return kernel.Unavailable(err, "%s", msg)
	}
	return kernel.Internal(err, "%s", msg)
}
