defmodule Quarry.MixProject do
  use Mix.Project

  def project do
    [app: :quarry, version: "0.1.0", elixir: "~> 1.16", deps: deps()]
  end

  defp deps do
    [{:postgrex, ">= 0.0.0"}, {:jason, "~> 1.4"}]
  end
end
