package scheduling

import (
	"errors"

	"github.com/multisaude/multisaude/core/kernel"
)

func asKernel(err error, target **kernel.Error) bool { return errors.As(err, target) }
