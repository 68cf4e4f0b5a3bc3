// Package scheduling owns professionals' availability and the slots generated
// from it, appointments and their state machine, exam services at partner
// hospitals with per-slot capacity, waitlists, reminders and in-app notifications.
package scheduling
