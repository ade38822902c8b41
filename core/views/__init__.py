"""Read models: what the doors show (a person's status and pairings, a course's overview and groups, the
facilitator's report, delivery figures, expert search). Views read through the unit of work and change
nothing; the doors render what they return and never query repositories themselves."""
