module github.com/acme/burrow/v2

go 1.22

require (
	github.com/lib/pq v1.10.9
	golang.org/x/sync v0.7.0
)
