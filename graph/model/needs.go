package model

import (
	"time"

	"mvpgraph"
)

// UnansweredQuestion is a question still waiting for an answer, at Now.
type UnansweredQuestion struct {
	ID         int64
	SpaceID    int64
	Title      *string
	URL        *string
	OccurredAt time.Time
	Now        time.Time
}

// NodeID is the question's activity ID.
func (q *UnansweredQuestion) NodeID() string { return mvpgraph.GlobalID("Activity", q.ID) }

// WaitingSeconds is how long the question has waited.
func (q *UnansweredQuestion) WaitingSeconds() int64 {
	return int64(q.Now.Sub(q.OccurredAt) / time.Second)
}

// UnansweredQuestionConnection is a page of unanswered questions.
type UnansweredQuestionConnection struct {
	Edges    []*UnansweredQuestionEdge
	PageInfo *PageInfo
}

// UnansweredQuestionEdge is an unanswered question in a page.
type UnansweredQuestionEdge struct {
	Cursor string
	Node   *UnansweredQuestion
}
