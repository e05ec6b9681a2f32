"""Only admins enter the admin center; an agent's session answers 403 on every admin route."""

from typing import Annotated

from fastapi import Depends

from parlour.admin.errors import AdminOnly
from parlour.workspace.auth import StaffAuth, StaffDep


async def require_admin(auth: StaffDep) -> StaffAuth:
    if not auth.is_admin:
        raise AdminOnly()
    return auth


AdminDep = Annotated[StaffAuth, Depends(require_admin)]
