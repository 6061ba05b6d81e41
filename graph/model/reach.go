package model

import (
	"context"
	"fmt"
)

// MemberReach is a member's reach, computed from the member's accounts,
// with the growth for each window the query asks for.
type MemberReach struct {
	Total      int64
	ByPlatform []*PlatformReach
	Score      float64
	ScoreParts []*ReachScorePart
	// AccountIDs are the accounts the reach is made of.
	AccountIDs []int64
	// Growths holds the growth for each number of days the query asks for.
	Growths map[int]Growth
}

// Growth is the change in followers over a window the query asked for,
// or why it cannot be given.
type Growth struct {
	Followers int64
	Err       error
}

// DefaultGrowthDays is MemberReach.growth's window when the query names
// none, as the schema says.
const DefaultGrowthDays = 30

// Growth is the change in followers over the last days days.
func (r *MemberReach) Growth(days *int) (int64, error) {
	n := DefaultGrowthDays
	if days != nil {
		n = *days
	}
	g, ok := r.Growths[n]
	if !ok {
		return 0, fmt.Errorf("the growth over %d days was not loaded", n)
	}
	return g.Followers, g.Err
}

// LeaderboardConnection is a page of a reach ranking.
type LeaderboardConnection struct {
	Edges    []*LeaderboardEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the ranked members over all pages.
func (c *LeaderboardConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// LeaderboardEdge is a ranked member in a page.
type LeaderboardEdge struct {
	Cursor string
	Node   *LeaderboardEntry
}

// LeaderboardEntry is a member's place in a reach ranking.
type LeaderboardEntry struct {
	Rank      int
	MemberID  int64
	Member    *Member
	Followers int64
	Growth    int64
}
