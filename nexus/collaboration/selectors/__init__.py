"""Reads of the collaboration hub, one module per part: channels and messages,
peer reviews, mentoring."""
