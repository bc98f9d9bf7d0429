import Testing
@testable import ChatCore
