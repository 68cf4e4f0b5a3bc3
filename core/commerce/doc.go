// Package commerce owns what a patient buys from partner companies: their
// catalogues, the purchase options a treatment plan turns into, orders and their
// fulfilment, payments and refunds, and the webhooks partners receive.
package commerce
