module example.com/stash

go 1.25

require github.com/redis/go-redis/v9 v9.5.1
