"""An in-memory to-do list."""

__version__ = "0.3.1"


class TodoList:
    def __init__(self):
        self._tasks = {}
        self._next = 1

    def add(self, title):
        task = {"id": self._next, "title": title, "done": False}
        self._tasks[self._next] = task
        self._next += 1
        return task

    def done(self, task_id):
        self._tasks[task_id]["done"] = True
        return self._tasks[task_id]

    def all(self):
        return list(self._tasks.values())
