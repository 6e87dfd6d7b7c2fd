"""GraphQL door of collaboration: channels and messages, reviews and mentoring."""
