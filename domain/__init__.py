"""The partner program's domain: aggregates, commands, rules and domain errors.

Pure by design: nothing here talks to Kafka, a database, the network, the clock or the
environment. Business time always arrives as an argument.
"""
