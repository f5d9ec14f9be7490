8[inputs: ["mix.exs"]]
