"""Input validated at the edge, shared by the CLI and the HTTP API: commands, rules files,
and the API's request and response schemas. Errors name the field and the rule broken.
"""
