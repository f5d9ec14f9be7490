0Gem::Specification.new do |spec|
  spec.name = "thimble"
  spec.version = "2.1.0"
  spec.required_ruby_version = ">= 3.1"
  spec.add_dependency "mysql2", "~> 0.5"
  spec.add_development_dependency "rspec", "~> 3.12"
end
