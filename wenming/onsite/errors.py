from wenming.core.errors import ActionRefused


class OnsiteRefused(ActionRefused):
    """An on-site action that is not allowed; the message (Chinese) is shown as is."""


NOT_ORGANISER = "只有组织该活动的测评办公室可以管理专家和测评组"
NOT_LEADER = "只有本组组长可以进行合议和签署"
NOT_ASSIGNED = "该单位未分派给您所在的测评组"
REASON_REQUIRED = "扣分必须填写扣分理由"
SIGNED = "合议表已签署锁定,如需修改请先填写理由重新打开"
