"""Rule packs: loading and validating the YAML, compiling their matchers, the keyword prefilter, rule explanations."""
