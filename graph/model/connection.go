// Package model holds the GraphQL types that are not domain types: inputs,
// payloads and connections. gqlgen generates most of them; the connections
// are written here so that totalCount runs its query only when asked for.
package model

import (
	"context"

	"mvpgraph"
)

// CountFunc counts the items of a connection over all pages.
type CountFunc func(ctx context.Context) (int, error)

// PageInfo says where a page lies.
type PageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

// NewPageInfo builds the page info of a page with the given cursors.
func NewPageInfo(cursors []string, hasNext, hasPrevious bool) *PageInfo {
	p := &PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if len(cursors) > 0 {
		p.StartCursor, p.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return p
}

// MemberConnection is a page of members.
type MemberConnection struct {
	Edges    []*MemberEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the members over all pages.
func (c *MemberConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// MemberEdge is a member in a page.
type MemberEdge struct {
	Cursor string
	Node   *Member
}

// ExpertiseConnection is a page of expertises.
type ExpertiseConnection struct {
	Edges    []*ExpertiseEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the expertises over all pages.
func (c *ExpertiseConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// ExpertiseEdge is an expertise in a page.
type ExpertiseEdge struct {
	Cursor string
	Node   *Expertise
}

// LeadConnection is a page of leads.
type LeadConnection struct {
	Edges    []*LeadEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the leads over all pages.
func (c *LeadConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// LeadEdge is a lead in a page.
type LeadEdge struct {
	Cursor string
	Node   *Lead
}

// ProductTeamConnection is a page of product teams.
type ProductTeamConnection struct {
	Edges    []*ProductTeamEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the product teams over all pages.
func (c *ProductTeamConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// ProductTeamEdge is a product team in a page.
type ProductTeamEdge struct {
	Cursor string
	Node   *ProductTeam
}

// Node is any object with a global ID: the domain types do not need to know
// of the GraphQL interface, so it binds to every type.
type Node any

// EscalationConnection is a page of escalations.
type EscalationConnection struct {
	Edges    []*EscalationEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the escalations over all pages.
func (c *EscalationConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// EscalationEdge is an escalation in a page.
type EscalationEdge struct {
	Cursor string
	Node   *Escalation
}

// ActivityConnection is a page of a space's activity.
type ActivityConnection struct {
	Edges    []*ActivityEdge
	PageInfo *PageInfo
}

// ActivityEdge is an activity in a page.
type ActivityEdge struct {
	Cursor string
	Node   *Activity
}

// EscalationGroup is one group of escalation statistics; the IDs name the
// group's lead, product team and expertise when grouped by them.
type EscalationGroup struct {
	LeadID, ProductTeamID, ExpertiseID *int64
	Status                             *mvpgraph.EscalationStatus
	Month                              *string
	Count, Overdue, Answered           int
	AverageTimeToAnswerSeconds         *int64
	MinTimeToAnswerSeconds             *int64
	MaxTimeToAnswerSeconds             *int64
}
