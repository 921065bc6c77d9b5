"""`nq57 admin …`: operator accounts of the console."""

from __future__ import annotations

from typing import Annotated

import typer

from nq57.errors import fail

admin_app = typer.Typer(help="Tài khoản bảng điều khiển (/admin).", no_args_is_help=True)


def open_migrated_storage():
    from channels.server import open_storage
    from channels.storage import StorageError
    from nq57.settings import get_settings

    storage = open_storage(get_settings())
    try:
        storage.migrate()
    except StorageError as exc:
        fail(f"không mở được cơ sở dữ liệu: {exc}")
    return storage


@admin_app.command("add-user")
def add_user(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[str, typer.Option(help="viewer (xem) hoặc editor (biên tập).")] = "viewer",
) -> None:
    """Tạo tài khoản; mật khẩu được hỏi khi chạy (không hiện trên màn hình)."""
    from channels.admin import audit
    from channels.admin.users import add_user as create
    from channels.admin.users import check_new_user
    from channels.storage import StorageError

    try:
        check_new_user(name, role, "x" * 64)  # name and role first, before asking
    except ValueError as exc:
        fail(str(exc))
    password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    storage = open_migrated_storage()
    try:
        operator = create(storage, name, role, password)
        audit.record(storage, None, "add_user", {"name": name, "role": role}, "cli")
    except ValueError as exc:
        fail(str(exc))
    except StorageError as exc:
        fail(f"không lưu được tài khoản: {exc}")
    finally:
        storage.close()
    typer.echo(f"Đã tạo tài khoản {operator.name} ({operator.role}).")
