"""Repositories: async functions per aggregate that take a session and return frozen DTOs.

A caller opens one unit of work with ``Database.transaction()`` and passes its session to as
many repository calls as the request needs; the work commits or rolls back as a whole.
"""
