from todo_api import TodoList


def test_add_and_complete():
    todo = TodoList()
    task = todo.add("write the docs")
    assert task == {"id": 1, "title": "write the docs", "done": False}
    assert todo.done(1)["done"] is True
    assert len(todo.all()) == 1
