2package = "lunar"
version = "1.0-1"
dependencies = { "lua >= 5.1" }
test_dependencies = { "busted" }
